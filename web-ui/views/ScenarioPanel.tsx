import { useState } from 'react';
import { SCENARIOS } from '../scenarios.ts';

export type RunMode = 'single' | 'side';

export interface ScenarioChoice {
  key: string;
  text: string;
  seed: string;
  durationS: string;
  mode: RunMode;
}

export interface ScenarioPanelProps {
  choice: ScenarioChoice;
  onChange(c: ScenarioChoice): void;
  onLoad(): void;
  error: string | undefined;
}

/** Scenario picker (bundled files), seed and duration overrides, single or side by side, and the YAML editor. */
export function ScenarioPanel({ choice, onChange, onLoad, error }: ScenarioPanelProps) {
  const [editing, setEditing] = useState(false);
  const set = (patch: Partial<ScenarioChoice>) => onChange({ ...choice, ...patch });
  return (
    <section className="panel">
      <h2>Scenario</h2>
      <label>
        file{' '}
        <select
          data-testid="scenario-picker"
          value={choice.key}
          onChange={(e) => {
            const s = SCENARIOS.find((x) => x.key === e.target.value);
            set({ key: e.target.value, text: s?.text ?? choice.text });
          }}
        >
          {SCENARIOS.map((s) => (
            <option key={s.key} value={s.key}>
              {s.file}
            </option>
          ))}
          <option value="custom">(edited)</option>
        </select>
      </label>
      <div className="row">
        <label>
          seed <input data-testid="seed" size={6} value={choice.seed} placeholder="file" onChange={(e) => set({ seed: e.target.value.replace(/[^0-9]/g, '') })} />
        </label>
        <label>
          duration <input size={6} value={choice.durationS} placeholder="file" onChange={(e) => set({ durationS: e.target.value.replace(/[^0-9.]/g, '') })} /> s
        </label>
      </div>
      <div className="row">
        <label>
          <input type="radio" checked={choice.mode === 'single'} onChange={() => set({ mode: 'single' })} /> as written
        </label>
        <label>
          <input data-testid="mode-side" type="radio" checked={choice.mode === 'side'} onChange={() => set({ mode: 'side' })} /> side by side (globalmap · kademlia · random)
        </label>
      </div>
      <div className="row">
        <button data-testid="load" className="primary" onClick={onLoad}>
          load
        </button>
        <button onClick={() => setEditing(!editing)}>{editing ? 'hide YAML' : 'edit YAML'}</button>
      </div>
      {editing && (
        <textarea
          data-testid="scenario-text"
          spellCheck={false}
          value={choice.text}
          onChange={(e) => set({ text: e.target.value, key: 'custom' })}
          rows={18}
        />
      )}
      {error && (
        <pre className="error" data-testid="scenario-error">
          {error}
        </pre>
      )}
    </section>
  );
}
