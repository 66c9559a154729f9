/** select: tap toggles, drag lassos · rect: drag a box · quad: tap 4 corners · row/grid: tap 4 corners of a row/block. */
export type DrawTool = 'select' | 'rect' | 'quad' | 'row' | 'grid';
