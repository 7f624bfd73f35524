// APC Desk's own script for keyboard and screen-reader users: pages/accessibility.py says what
// it does and why.
(() => {
  if (window.apcAccessibility) return;
  window.apcAccessibility = true;
  const MESSAGES = [
    '[data-testid="stMain"] [data-testid="stAlertContainer"]', '[data-testid="stToast"]', '.apc-field-error',
  ].join(', ');
  let actedAt = 0;
  let timer = null;

  function markCurrentPage() {
    const page = location.pathname.split('/').pop();  // "" for Home
    for (const link of document.querySelectorAll('.st-key-menu a')) {
      const here = link.getAttribute('href') === page;
      if (here && link.getAttribute('aria-current') !== 'page') link.setAttribute('aria-current', 'page');
      if (!here && link.hasAttribute('aria-current')) link.removeAttribute('aria-current');
    }
  }

  function tieErrorsToFields() {
    const tied = new Set();
    document.querySelectorAll('.apc-field-error').forEach((error, n) => {
      let widget = error.closest('[data-testid="stElementContainer"]').previousElementSibling;
      while (widget && !widget.querySelector('input, textarea')) widget = widget.previousElementSibling;
      const field = widget && widget.querySelector('input, textarea');
      if (!field) return;
      error.id = 'apc-field-error-' + n;
      tied.add(field);
      if (field.getAttribute('aria-describedby') !== error.id) {
        field.setAttribute('aria-describedby', error.id);
        field.setAttribute('aria-invalid', 'true');
      }
    });
    for (const field of document.querySelectorAll('[aria-describedby^="apc-field-error-"]')) {
      if (!tied.has(field)) { field.removeAttribute('aria-describedby'); field.removeAttribute('aria-invalid'); }
    }
  }

  function remember() {
    for (const message of document.querySelectorAll(MESSAGES)) message.dataset.apcSeen = message.textContent;
    actedAt = Date.now();
  }

  function focusNews() {
    if (Date.now() - actedAt > 20000) return;  // an action long past: news now is not its answer
    if (document.querySelector('[data-testid="stStatusWidget"]')) { timer = setTimeout(focusNews, 300); return; }
    const news = [...document.querySelectorAll(MESSAGES)].find(m => m.dataset.apcSeen !== m.textContent);
    if (!news) return;
    actedAt = 0;
    news.tabIndex = -1;
    news.focus();
  }

  document.addEventListener('click', e => { if (e.target.closest('button')) remember(); }, true);
  document.addEventListener('keydown', e => {
    const enter = e.key === 'Enter' && e.target.closest('button, input:not([role="combobox"])');
    const space = e.key === ' ' && e.target.closest('button');
    if (enter || space) remember();
  }, true);

  new MutationObserver(() => {
    markCurrentPage();
    tieErrorsToFields();
    if (actedAt) { clearTimeout(timer); timer = setTimeout(focusNews, 400); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
  markCurrentPage();
})();
