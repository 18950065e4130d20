// Small shared pieces: labelled fields, alerts, buttons with a busy state.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './errors';
import { t } from './i18n';

let ids = 0;
export function Field(props: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'email' | 'password' | 'search';
  autoComplete?: string;
  required?: boolean;
  inputMode?: 'numeric' | 'text' | 'email' | 'search';
  hint?: string;
  name?: string;
  pattern?: string;
  maxLength?: number;
}) {
  const [id] = useState(() => `f${++ids}`);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        // (The union of input types is narrower in preact's types than what is allowed here; the rule below sees
        // the assertion as a no-op, but without it the props do not match any member of preact's input union.)
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        onInput={(e) => props.onValue((e.currentTarget).value)}
        autoComplete={props.autoComplete}
        required={props.required}
        inputMode={props.inputMode}
        pattern={props.pattern}
        maxLength={props.maxLength}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label text after it. */
export function Check(props: { checked: boolean; onChecked: (on: boolean) => void; name?: string; children: ComponentChildren }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} checked={props.checked} onChange={(e) => props.onChecked((e.currentTarget).checked)} /> {props.children}
    </label>
  );
}

/** Error codes worded differently on a group of pages (Page's `wording`; see errorText). */
const ErrorWording = createContext<Readonly<Record<string, string>>>({});

/** The administrator pages: an admin action refused for an old sign-in says to sign in again. */
export const ADMIN_WORDING: Readonly<Record<string, string>> = { REAUTH_REQUIRED: 'adminUser.reauth' };

export function ErrorAlert({ error }: { error: unknown }) {
  const wording = useContext(ErrorWording);
  if (!error) return null;
  return (
    <p class="alert error" role="alert">
      {errorText(error, wording)}
    </p>
  );
}

export function Status({ children, tone = 'info' }: { children: ComponentChildren; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <p class={`alert ${tone}`} role="status">
      {children}
    </p>
  );
}

/** Copies `text` to the clipboard; `copied` turns true once it did (a refused or missing clipboard leaves it false). */
export function useCopy(text: string) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // Nothing to say: the text is on the screen to copy by hand.
    }
  };
  return { copied, copy };
}

/** Runs an async action with busy state and error capture. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...args);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export function Page({ title, wording, children }: { title: string; wording?: Readonly<Record<string, string>>; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Move focus to the new page's heading, so keyboard and screen-reader users land on it.
  useEffect(() => heading.current?.focus(), [title]);
  return (
    <ErrorWording.Provider value={wording ?? {}}>
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {children}
    </ErrorWording.Provider>
  );
}

/** Moves the app to another of its paths (history.pushState, no page load). */
export type Go = (path: string) => void;

/** A link inside the app: a real address (new tab, copy link) that is followed here without a page load. */
export function Link(props: { to: string; go: Go; current?: boolean; children: ComponentChildren }) {
  return (
    <a href={props.to} onClick={(e) => (e.preventDefault(), props.go(props.to))} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

export const onSubmit = (fn: () => unknown) => (e: Event) => {
  e.preventDefault();
  void fn();
};

/** The element focused last, kept so an inline question can give focus back to what opened it. */
let lastFocus: HTMLElement | null = null;
if (typeof document !== 'undefined') {
  document.addEventListener('focusin', (e) => {
    if (e.target instanceof HTMLElement) lastFocus = e.target;
  });
}

/**
 * "Are you sure?" in place: the question, any options for the step, a yes (dangerous unless `tone` says
 * otherwise) and a cancel, grouped under the question's name.
 */
export function Confirm(props: {
  question: string;
  yes: string;
  tone?: 'primary' | 'danger';
  busy: boolean;
  onYes: () => void;
  onCancel: () => void;
  children?: ComponentChildren;
}) {
  const group = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Keyboard users land in the question: on its first field when it has one, else on Cancel (the safe answer).
    // The button that opened it is gone by now (the question took its place): it is known from the last focus.
    const opener = lastFocus;
    const again = opener && { label: opener.getAttribute('aria-label'), text: opener.textContent };
    const first = group.current?.querySelector<HTMLElement>('input, select, textarea') ?? group.current?.querySelector<HTMLElement>('button:last-of-type');
    first?.focus();
    return () => {
      // Back where the person was: the button that opened it (re-rendered as a new element), once it is back.
      setTimeout(() => {
        if (!again || (document.activeElement && document.activeElement !== document.body)) return;
        if (opener?.isConnected) return opener.focus();
        const buttons = [...document.querySelectorAll<HTMLButtonElement>('button')];
        buttons.find((b) => (again.label ? b.getAttribute('aria-label') === again.label : b.textContent === again.text))?.focus();
      }, 0);
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    props.onCancel();
  };
  return (
    <div class="confirm" role="group" aria-label={props.question} ref={group} onKeyDown={onKeyDown}>
      <p>{props.question}</p>
      {props.children}
      <button type="button" class={props.tone ?? 'danger'} onClick={props.onYes} disabled={props.busy}>
        {props.yes}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

/**
 * A form in a card: optional heading (which names the form) and help, the fields, the error, a submit button
 * (primary, or danger for destructive steps) and, when given, a cancel button.
 */
export function FormCard(props: {
  title?: string;
  help?: ComponentChildren;
  submit: string;
  tone?: 'primary' | 'danger';
  action: { busy: boolean; error: unknown; run: () => void };
  onCancel?: () => void;
  children: ComponentChildren;
}) {
  const [id] = useState(() => `form${++ids}`);
  return (
    <form class="card" onSubmit={onSubmit(props.action.run)} aria-labelledby={props.title ? id : undefined}>
      {props.title && <h2 id={id}>{props.title}</h2>}
      {props.help && <p>{props.help}</p>}
      {props.children}
      <ErrorAlert error={props.action.error} />
      <div class="actions">
        <button type="submit" class={props.tone ?? 'primary'} disabled={props.action.busy}>
          {props.submit}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
