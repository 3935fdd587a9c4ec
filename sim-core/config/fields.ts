import { z } from 'zod';

/**
 * Field helpers shared by the scenario file and the protocols' own config
 * sections (which sit below the scenario and may not import it).
 */

/** Integer with bounds; the bounds appear in error messages. */
export const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** Finite number with bounds. */
export const num = (min: number, max: number) => z.number().min(min).max(max);

/** Largest supported simulated duration: 30 days, far above any scenario, well inside 2^53 µs. */
export const MAX_DURATION_S = 30 * 24 * 3600;
