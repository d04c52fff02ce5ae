// Electron main process: the window shows the login screen until a card logs in, then the app;
// when the licence is lost (card disabled or expired, server unreachable past the validity) it
// shows the lost-licence screen. The licence logic is ../src/licence.mjs (plain Node, tested).
const { app, BrowserWindow, ipcMain } = require('electron');
const path = require('node:path');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (the values come from npm start's banner; see README.md)`);
  return value;
};

app.whenReady().then(async () => {
  const { createLicence } = await import('../src/licence.mjs');
  const licence = createLicence({
    baseUrl: env('KAMI_URL'),
    appKey: env('KAMI_APPKEY'),
    routes: { login: env('KAMI_LOGIN_CODE'), heartbeat: env('KAMI_HEARTBEAT_CODE') },
  });
  const win = new BrowserWindow({
    width: 520,
    height: 420,
    webPreferences: { preload: path.join(__dirname, 'preload.cjs'), contextIsolation: true, sandbox: true },
  });
  await win.loadFile(path.join(__dirname, 'index.html'));

  ipcMain.handle('licence:login', (_event, card) => licence.login(card));
  licence.on('relogin', () => win.webContents.send('licence:status', 'session renewed'));
  licence.on('lost', (info) => win.webContents.send('licence:lost', info));
  app.on('window-all-closed', () => {
    licence.stop();
    app.quit();
  });
});
