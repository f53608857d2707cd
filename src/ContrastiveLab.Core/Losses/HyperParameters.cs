namespace ContrastiveLab.Core.Losses;

/// <summary>Constructor-time checks shared by the losses and <see cref="LossOptions"/>.</summary>
internal static class HyperParameters
{
    /// <summary>Returns τ when it is finite and &gt; 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">τ is ≤ 0, NaN or infinite.</exception>
    public static double Tau(double tau, string name = "tau") =>
        double.IsFinite(tau) && tau > 0
            ? tau
            : throw new ArgumentOutOfRangeException(name, tau, $"The temperature {name} must be a finite number > 0 (the paper uses 0.05 to 1); got {tau}.");

    /// <summary>Returns λ when it is finite and &gt; 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is ≤ 0, NaN or infinite.</exception>
    public static double Lambda(double lambda, string name = "lambda") =>
        double.IsFinite(lambda) && lambda > 0
            ? lambda
            : throw new ArgumentOutOfRangeException(name, lambda, $"The negative weight {name} must be a finite number > 0; got {lambda}.");
}
