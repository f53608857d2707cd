namespace ContrastiveLab.Core.Metrics;

/// <summary>Scalar log-space helpers in float64.</summary>
internal static class LogMath
{
    /// <summary>log(exp(a) + exp(b)) without overflow; −∞ is the identity.</summary>
    internal static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }
        if (double.IsNegativeInfinity(b))
        {
            return a;
        }
        double hi = Math.Max(a, b), lo = Math.Min(a, b);
        return hi + Math.Log(1 + Math.Exp(lo - hi));
    }
}
