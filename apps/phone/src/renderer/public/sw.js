// The phone pages' service worker: it only shows the call alert as a system notification where a
// page may not make one itself (Android's browsers), and brings the page back when it is tapped.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/m/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((clients) => {
      const open = clients.find((c) => c.url.endsWith(url));
      return open ? open.focus() : self.clients.openWindow(url);
    }),
  );
});
