// Progressive enhancement only: every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so that keyboard and screen-reader users hear it.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
