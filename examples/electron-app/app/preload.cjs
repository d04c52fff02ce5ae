// The only bridge between the page and the main process: log in, and hear about the licence.
const { contextBridge, ipcRenderer } = require('electron');

contextBridge.exposeInMainWorld('licence', {
  login: (card) => ipcRenderer.invoke('licence:login', card),
  onStatus: (fn) => ipcRenderer.on('licence:status', (_e, text) => fn(text)),
  onLost: (fn) => ipcRenderer.on('licence:lost', (_e, info) => fn(info)),
});
