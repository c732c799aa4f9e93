// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.requestSubmit();
});

// The menu's drop-downs (<details>) close when the person opens another or clicks elsewhere.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.navgroup[open], details.usermenu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// Filter boxes (the review page's expansions): shown only when this script runs; the list works without it.
document.querySelectorAll("[data-filter-list]").forEach((input) => {
  const list = document.getElementById(input.dataset.filterList);
  if (!list) return;
  input.closest("[hidden]")?.removeAttribute("hidden");
  input.addEventListener("input", () => {
    const wanted = input.value.trim().toLocaleLowerCase();
    list.querySelectorAll(":scope > li").forEach((item) => {
      item.hidden = wanted !== "" && !(item.dataset.filterText || "").includes(wanted);
    });
  });
});

// Fields that belong to one category (the job offer's) are hidden while another category is chosen, and the
// expiry field while it is that one (an offer expires when it closes). Without this script all stay visible,
// and the server ignores what does not apply.
document.querySelectorAll("[data-show-for-category], [data-hide-for-category]").forEach((part) => {
  const form = part.closest("form");
  const select = form && form.elements.namedItem("category");
  if (!select) return;
  const sync = () => {
    part.hidden = part.dataset.showForCategory
      ? select.value !== part.dataset.showForCategory
      : select.value === part.dataset.hideForCategory;
  };
  select.addEventListener("change", sync);
  sync();
});
