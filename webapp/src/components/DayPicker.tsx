import React from 'react';

import type {DayChoice} from '../api';
import type {Texts} from '../i18n';

interface Props {
    t: Texts;
    choice: DayChoice;
    /** The day shown and the bounds of the date field (YYYY-MM-DD), once known. */
    day?: string;
    min?: string;
    max?: string;
    onChoose(choice: DayChoice): void;
}

const WORDS = ['yesterday', 'today', 'tomorrow'] as const;

/** Yesterday / today / tomorrow, or any date of the synced window. */
export function DayPicker({t, choice, day, min, max, onChoose}: Props): React.ReactElement {
    return (
        <div className='ycal-days' role='group' aria-label={t.choose_day}>
            {WORDS.map((w) => (
                <button
                    key={w}
                    type='button'
                    className='ycal-days__button'
                    aria-pressed={choice === w}
                    onClick={() => onChoose(w)}
                >
                    {t[w]}
                </button>
            ))}
            <label className='ycal-days__date'>
                <span className='ycal-visually-hidden'>{t.pick_date}</span>
                <input
                    type='date'
                    value={day ?? ''}
                    min={min}
                    max={max}
                    onChange={(e) => {
                        if (e.target.value) {
                            onChoose(e.target.value);
                        }
                    }}
                />
            </label>
        </div>
    );
}
