/** Learning-rate schedules, evaluated per step so that a resumed run continues on the same curve. */
export interface ScheduleSpec {
  lr: number;
  schedule: 'constant' | 'piecewise' | 'cosine';
  milestones: number[];
  lr_decay: number;
  epochs: number;
}

/** The learning rate at a fractional epoch (`epoch + step / stepsPerEpoch`). */
export function learningRate(s: ScheduleSpec, epochFloat: number): number {
  switch (s.schedule) {
    case 'constant':
      return s.lr;
    case 'piecewise': {
      const passed = s.milestones.filter((m) => epochFloat >= m).length;
      return s.lr * Math.pow(s.lr_decay, passed);
    }
    case 'cosine':
      return 0.5 * s.lr * (1 + Math.cos((Math.PI * Math.min(epochFloat, s.epochs)) / s.epochs));
  }
}
