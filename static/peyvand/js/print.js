// The print view of a proforma or invoice (templates/sales/document_print.html): its
// «چاپ» button opens the browser's print dialog (no inline handlers: see the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
