export function SearchIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round">
      <circle cx="10.5" cy="10.5" r="6.5" />
      <line x1="15.5" y1="15.5" x2="21" y2="21" />
    </svg>
  );
}

export function CheckIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round">
      <polyline points="4,12.5 9.5,18 20,6.5" />
    </svg>
  );
}

export function PrinterIcon() {
  return (
    <svg viewBox="0 0 64 64" width="140" height="140">
      <rect x="14" y="6" width="36" height="16" rx="2" fill="none" stroke="currentColor" strokeWidth="3" />
      <rect x="6" y="22" width="52" height="24" rx="4" fill="none" stroke="currentColor" strokeWidth="3" />
      <rect x="16" y="38" width="32" height="20" rx="2" fill="#fff" stroke="currentColor" strokeWidth="3" />
      <line x1="22" y1="46" x2="42" y2="46" stroke="currentColor" strokeWidth="3" />
      <line x1="22" y1="52" x2="36" y2="52" stroke="currentColor" strokeWidth="3" />
    </svg>
  );
}
