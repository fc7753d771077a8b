/**
 * Page count of a PDF (for letter rules and cost estimates). pdf-lib is loaded only when a letter
 * has a local PDF, so `validate` of postcards never pays for it.
 */
export async function countPdfPages(bytes: Uint8Array): Promise<number> {
  const { PDFDocument } = await import("pdf-lib");
  // Encrypted PDFs still have a readable page tree; Lob prints them as they come.
  const pdf = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  return pdf.getPageCount();
}
