// Suggestions while typing in a search box (the boxes work without it): titles of
// consultations and clauses from GET /api/v1/search/suggest, offered through a <datalist>.
(function () {
  'use strict';
  document.querySelectorAll('form[role="search"] input[type="search"][name="q"]').forEach((input, n) => {
    const list = document.createElement('datalist');
    list.id = `search-suggestions-${n}`;
    input.after(list);
    input.setAttribute('list', list.id);
    input.setAttribute('autocomplete', 'off');
    let timer;
    let last = '';
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value;
        if (q === last || q.trim().length < 2) return;
        last = q;
        try {
          const response = await fetch(`/api/v1/search/suggest?q=${encodeURIComponent(q)}`, {
            headers: { Accept: 'application/json' },
          });
          if (!response.ok || q !== input.value) return;
          const items = await response.json();
          list.replaceChildren(...items.map((item) => {
            const option = document.createElement('option');
            option.value = item.text;
            return option;
          }));
        } catch {
          // Suggestions are a convenience: a failure leaves the box as it is.
        }
      }, 150);
    });
  });
}());
