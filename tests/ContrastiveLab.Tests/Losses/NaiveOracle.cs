namespace ContrastiveLab.Tests.Losses;

/// <summary>
/// The paper's equations as plain double loops, one anchor at a time: s_ii = a·p, s_ij = a·n_j over the given
/// negatives. Nothing here shares code with the library.
/// </summary>
internal static class NaiveOracle
{
    public static double Dot(double[] x, double[] y)
    {
        double sum = 0;
        for (int d = 0; d < x.Length; d++)
        {
            sum += x[d] * y[d];
        }

        return sum;
    }

    /// <summary>Eq. 1: −log[exp(s_ii/τ) / (Σ_j exp(s_ij/τ) + exp(s_ii/τ))].</summary>
    public static double Contrastive(double sii, double[] sij, double tau)
    {
        double numerator = Math.Exp(sii / tau);
        double denominator = numerator;
        foreach (double s in sij)
        {
            denominator += Math.Exp(s / tau);
        }

        return -Math.Log(numerator / denominator);
    }

    /// <summary>Eq. 9: Eq. 1 over the K largest s_ij.</summary>
    public static double Hard(double sii, double[] sij, double tau, int k) => Contrastive(sii, Largest(sij, k), tau);

    /// <summary>Eq. 3: −s_ii + λ Σ_j s_ij.</summary>
    public static double Simple(double sii, double[] sij, double lambda) => -sii + (lambda * sij.Sum());

    /// <summary>Authors' simple loss: −s_ii + (1/N) Σ over the positive and the negatives.</summary>
    public static double SimpleAuthors(double sii, double[] sij) => -sii + ((sii + sij.Sum()) / (sij.Length + 1));

    /// <summary>Hard simple loss: −s_ii + (1/K) Σ of the K largest s_ij.</summary>
    public static double HardSimple(double sii, double[] sij, int k) => -sii + (Largest(sij, k).Sum() / k);

    /// <summary>Authors' hard simple loss: −s_ii + (1/(K+1)) Σ of the K + 1 largest entries, positive included.</summary>
    public static double HardSimpleAuthors(double sii, double[] sij, int k) =>
        -sii + (Largest([sii, .. sij], k + 1).Sum() / (k + 1));

    /// <summary>Eq. 6 times τ: max(s_max − s_ii, 0).</summary>
    public static double Single(double sii, double[] sij) => Math.Max(sij.Max() - sii, 0);

    /// <summary>Eq. 7: −((N−1)/(Nτ)) s_ii + (1/(Nτ)) Σ_j s_ij + log N, N = negatives + 1.</summary>
    public static double LargeTauExpansion(double sii, double[] sij, double tau)
    {
        int n = sij.Length + 1;
        return (-(n - 1) / (n * tau) * sii) + (sij.Sum() / (n * tau)) + Math.Log(n);
    }

    private static double[] Largest(double[] values, int k) => values.OrderByDescending(v => v).Take(k).ToArray();
}
