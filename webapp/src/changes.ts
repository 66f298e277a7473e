// "The agenda changed": the plugin's websocket event (and a reconnect, after which events may
// have been missed) reaches every open panel through this.
export class Changes {
    private listeners = new Set<() => void>();

    subscribe(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => {
            this.listeners.delete(listener);
        };
    }

    emit(): void {
        for (const listener of [...this.listeners]) {
            listener();
        }
    }
}
