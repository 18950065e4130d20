// An inline confirmation for the admin console's actions (issue 28): when it opens, focus moves to its
// question so keyboard and screen-reader users land in it; Escape cancels, as the Cancel button does.
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export function InlineConfirm(props: { question: string; yes: string; tone?: 'primary' | 'danger'; busy: boolean; onYes: () => void; onCancel: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    props.onCancel();
  };
  return (
    <div class="confirm" role="group" aria-label={props.question} tabIndex={-1} ref={box} onKeyDown={onKey}>
      <p>{props.question}</p>
      <button type="button" class={props.tone ?? 'danger'} onClick={props.onYes} disabled={props.busy}>
        {props.yes}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
