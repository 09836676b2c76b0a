// Keyboard use of the moderation queue (the page works without it):
//   j / k  next / previous comment      x  select or unselect it
//   o or Enter  open its review page    a  approve the selected comments
// A "select all" box appears above the list.
(function () {
  'use strict';
  const rows = Array.from(document.querySelectorAll('[data-testid="queue-row"]'));
  if (rows.length === 0) return;
  let current = -1;

  function focusRow(index) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    const link = rows[current].querySelector('[data-testid="review-link"]');
    if (link) link.focus();
    rows[current].scrollIntoView({ block: 'nearest' });
  }

  const actions = document.querySelector('[data-testid="bulk-actions"]');
  if (actions) {
    const label = document.createElement('label');
    label.className = 'queue__select-all';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.setAttribute('data-testid', 'select-all');
    box.addEventListener('change', () => {
      document.querySelectorAll('.queue__select').forEach((b) => { b.checked = box.checked; });
    });
    label.append(box, ' ', actions.getAttribute('data-select-all') || 'Chọn tất cả');
    actions.querySelector('.bulk-actions__scope')?.prepend(label);
  }

  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target instanceof HTMLInputElement && target.type !== 'checkbox') return;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    switch (event.key) {
      case 'j': focusRow(current + 1); break;
      case 'k': focusRow(current - 1); break;
      case 'x': {
        if (current < 0) return;
        const box = rows[current].querySelector('.queue__select');
        if (box) box.checked = !box.checked;
        break;
      }
      case 'o': {
        if (current < 0) return;
        rows[current].querySelector('[data-testid="review-link"]')?.click();
        break;
      }
      case 'a': document.querySelector('[data-testid="bulk-approve"]')?.click(); break;
      default: return;
    }
    event.preventDefault();
  });
}());
