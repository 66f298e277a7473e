import React from 'react';

import type {Meeting} from '../api';
import type {Texts} from '../i18n';

/** Only web links are followed (the server filters too). */
function safeHref(url: string | null): string | undefined {
    return url && /^https?:\/\//i.test(url) ? url : undefined;
}

export function MeetingRow({meeting, t}: {meeting: Meeting; t: Texts}): React.ReactElement {
    const m = meeting;
    const join = safeHref(m.join_url);
    const web = safeHref(m.web_url);
    const classes = ['ycal-meeting', `ycal-meeting--${m.state.replace('_', '-')}`];
    if (m.answer === 'declined') {
        classes.push('ycal-meeting--declined');
    }
    const meta = [m.location, m.calendar, m.answer_text].filter((x): x is string => Boolean(x));
    return (
        <li
            className={classes.join(' ')}
            data-state={m.state}
            aria-current={m.state === 'now' ? 'time' : undefined}
        >
            <div className='ycal-meeting__head'>
                <span className='ycal-meeting__when'>{m.when}</span>
                {m.relative && <span className='ycal-meeting__relative'>{m.relative}</span>}
            </div>
            <div className='ycal-meeting__title'>
                {web ? (
                    <a
                        href={web}
                        target='_blank'
                        rel='noopener noreferrer'
                        title={t.open_event}
                    >
                        {m.title}
                    </a>
                ) : m.title}
            </div>
            {meta.length > 0 && <div className='ycal-meeting__meta'>{meta.join(' · ')}</div>}
            {join && m.state !== 'past' && (
                <a
                    className={m.state === 'now' ? 'ycal-join ycal-join--primary' : 'ycal-join'}
                    href={join}
                    target='_blank'
                    rel='noopener noreferrer'
                    aria-label={`${t.join}: ${m.title}`}
                >
                    {t.join}
                </a>
            )}
        </li>
    );
}
