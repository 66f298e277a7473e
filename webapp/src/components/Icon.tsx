import React from 'react';

/** A calendar glyph in the text colour, for the channel-header button. */
export function CalendarIcon(): React.ReactElement {
    return (
        <svg
            width='16'
            height='16'
            viewBox='0 0 24 24'
            aria-hidden='true'
            focusable='false'
            fill='none'
            stroke='currentColor'
            strokeWidth='2'
            strokeLinecap='round'
        >
            <rect x='3' y='5' width='18' height='16' rx='2'/>
            <path d='M3 10h18M8 3v4M16 3v4'/>
        </svg>
    );
}
