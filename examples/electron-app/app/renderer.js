// Renderer: three screens (login, app, lost); no Node, only the preload's `window.licence`.
const $ = (id) => document.getElementById(id);
const show = (id) => {
  for (const s of ['login', 'app', 'lost']) $(s).hidden = s !== id;
};

$('go').onclick = async () => {
  $('error').textContent = '';
  try {
    const { endTime, amount } = await window.licence.login($('card').value.trim());
    $('until').textContent = `Licensed until ${endTime} (${amount})`;
    show('app');
  } catch (error) {
    $('error').textContent = String(error.message).replace(/^Error invoking remote method '[^']+': /, '');
  }
};
window.licence.onStatus((text) => {
  $('status').textContent = text;
});
window.licence.onLost(({ reason, code, message }) => {
  $('why').textContent = `${message} (${code}, ${reason})`;
  show('lost');
});
