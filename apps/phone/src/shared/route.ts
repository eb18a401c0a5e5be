/** Where the phone is, from its address under /m/. Addresses carry opaque references, never a ticket id or a person. */
export type Route =
  | { name: 'home' }
  | { name: 'item'; code: string }
  | { name: 'ticket'; ref: string }
  | { name: 'book'; code: string }
  | { name: 'appointment'; ref: string }
  | { name: 'case'; number?: string }
  | { name: 'mine' };

const REF = /^[A-Za-z0-9_-]{22}$/;
const CODE = /^[A-Za-z0-9_-]{1,40}$/;

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.replace(/^\/m\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  const [head, arg] = parts;
  if (head === 't' && arg && REF.test(arg)) return { name: 'ticket', ref: arg };
  if (head === 'a' && arg && REF.test(arg)) return { name: 'appointment', ref: arg };
  if (head === 'item' && arg && CODE.test(arg)) return { name: 'item', code: arg };
  if (head === 'book' && arg && CODE.test(arg)) return { name: 'book', code: arg };
  if (head === 'mine') return { name: 'mine' };
  if (head === 'case') {
    const n = new URLSearchParams(search).get('n');
    return n ? { name: 'case', number: n } : { name: 'case' };
  }
  return { name: 'home' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'home':
      return '/m/';
    case 'item':
      return `/m/item/${encodeURIComponent(route.code)}`;
    case 'ticket':
      return `/m/t/${route.ref}`;
    case 'book':
      return `/m/book/${encodeURIComponent(route.code)}`;
    case 'appointment':
      return `/m/a/${route.ref}`;
    case 'case':
      return route.number ? `/m/case?n=${encodeURIComponent(route.number)}` : '/m/case';
    case 'mine':
      return '/m/mine';
  }
}
