"""In-context classification with a frozen LM: templated tasks and prompts, label-word probabilities, contextual
calibration and Linear Probe Calibration (LinC), with their calibration metrics."""
