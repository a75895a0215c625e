// Progressive enhancement only: every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so that keyboard and screen-reader users hear it.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});

// A region marked data-poll (a report being produced) is re-read from the server
// every few seconds until the server sends it without data-poll (done or failed).
document.addEventListener("DOMContentLoaded", () => {
  const poll = (region) => {
    window.setTimeout(async () => {
      try {
        const response = await fetch(window.location.href, {
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
        if (!response.ok) {
          return;
        }
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById(region.id);
        if (!fresh) {
          return;
        }
        region.replaceWith(fresh);
        if (fresh.hasAttribute("data-poll")) {
          poll(fresh);
        }
      } catch (error) {
        // Offline for a moment: the "refresh" link still works.
      }
    }, 3000);
  };
  document.querySelectorAll("[data-poll][id]").forEach(poll);
});
