/**
 * What a member of staff wrote for a record that someone else moved on meanwhile (a follow-up's step done,
 * a complaint replied to): kept and shown with what happened, never left in the next form to be sent as
 * its record. They take it up for what is next, or let it go.
 */
export function StaleDraft({ said, text, files = [], use, drop, onUse, onDrop }: { said: string; text: string; files?: readonly File[]; use: string; drop: string; onUse: () => void; onDrop: () => void }) {
  return (
    <div className="notice stale-draft" role="alert">
      <p>{said}</p>
      <blockquote className="step-note">{text}</blockquote>
      {files.length > 0 && <p className="small dim">{files.map((f) => f.name).join('、')}</p>}
      <div className="row">
        <button type="button" onClick={onUse}>
          {use}
        </button>
        <button type="button" className="ghost" onClick={onDrop}>
          {drop}
        </button>
      </div>
    </div>
  );
}
