namespace ContrastiveLab.Core.Analysis;

/// <summary>Penalty distribution and losses at one temperature.</summary>
/// <param name="Tau">The temperature τ.</param>
/// <param name="PenaltyEntropy">mean_i H(r_i), r_i(j) = softmax over j ≠ i of s_ij/τ.</param>
/// <param name="EffectiveNegatives">mean_i exp(H(r_i)).</param>
/// <param name="LossContrastive">mean_i [−s_ii/τ + log(exp(s_ii/τ) + Σ_{j≠i} exp(s_ij/τ))]; null without positives.</param>
/// <param name="LossHard">The same with the sum over the K largest s_ij, j ≠ i; null without positives.</param>
public sealed record TemperatureAnalysis(
    double Tau,
    double PenaltyEntropy,
    double EffectiveNegatives,
    double? LossContrastive,
    double? LossHard);
