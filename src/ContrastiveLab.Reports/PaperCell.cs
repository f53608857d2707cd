namespace ContrastiveLab.Reports;

/// <summary>One column of the paper's Table 1 for one dataset.</summary>
/// <param name="Loss">contrastive, simple, hard or hard-simple.</param>
/// <param name="Tau">τ, null for the losses without one (simple, hard-simple).</param>
/// <param name="Accuracy">Linear top-1 in percent.</param>
/// <param name="Uniformity">−L_uniformity.</param>
/// <param name="Tolerance">Tolerance.</param>
public sealed record PaperCell(string Loss, double? Tau, double Accuracy, double Uniformity, double Tolerance);
