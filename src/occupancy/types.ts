/** A point in normalised frame coordinates: x and y run from 0 (left/top) to 1 (right/bottom). */
export type Point = readonly [number, number];

/** What a bay is for; counted apart in the metadata (`kinds`). FIWARE's ParkingSpot categories, trimmed. */
export const SLOT_KINDS = ['standard', 'ev', 'disabled', 'reserved', 'motorcycle', 'other'] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

export const SLOT_KIND_LABEL: Readonly<Record<SlotKind, string>> = {
  standard: 'Standard',
  ev: 'EV charging',
  disabled: 'Disabled',
  reserved: 'Reserved',
  motorcycle: 'Motorcycle',
  other: 'Other',
};

/** A slot taken out of service (works, an event): counted in neither available nor total until `until` (epoch ms). */
export interface SlotClosure {
  readonly reason: string;
  /** When the closure ends by itself, epoch ms; null: until someone reopens it. */
  readonly until: number | null;
}

/** A parking slot as the user marked it: a 4-point polygon in frame order (a rectangle is a polygon too). */
export interface Slot {
  readonly id: string;
  readonly name: string;
  readonly polygon: readonly Point[];
  /** Free text such as "Level 1" or "North row"; absent: in no zone. */
  readonly zone?: string;
  /** Absent means `standard`. */
  readonly kind?: SlotKind;
  /** Absent: open. */
  readonly closed?: SlotClosure;
}

/** An axis-aligned box in normalised frame coordinates. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export const VEHICLE_CLASSES = ['car', 'truck', 'bus', 'motorcycle'] as const;
export type VehicleClass = (typeof VEHICLE_CLASSES)[number];

/** One vehicle found in a frame. */
export interface Detection {
  readonly label: VehicleClass;
  readonly score: number;
  readonly box: Box;
}

/** What the evidence says about one slot in one frame: the probability that it is occupied. */
export interface SlotObservation {
  readonly id: string;
  readonly probability: number;
}

/** The debounced state of one slot. */
export interface SlotState {
  readonly id: string;
  readonly occupied: boolean;
  /** Epoch ms when the slot entered its current state. */
  readonly since: number;
  /** The latest evidence, before hysteresis. */
  readonly probability: number;
  /** A different state that is being observed but has not held long enough yet. */
  readonly pending: PendingChange | null;
}

export interface PendingChange {
  readonly occupied: boolean;
  readonly since: number;
  readonly frames: number;
}

export interface LotCounts {
  readonly total: number;
  readonly occupied: number;
  readonly available: number;
}


/** The whole lot after one processed frame. */
export interface LotState {
  readonly slots: readonly SlotState[];
  readonly counts: LotCounts;
  /** Epoch ms of the last change of any slot's state (or of the layout), or null before the first frame. */
  readonly lastChanged: number | null;
  /** Epoch ms of the frame this state was computed from. */
  readonly observedAt: number;
  /** Ids of the slots closed at `observedAt` (in `slots`, but counted nowhere and kept out of history). */
  readonly closed?: readonly string[];
}
