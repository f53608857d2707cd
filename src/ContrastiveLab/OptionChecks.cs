namespace ContrastiveLab;

/// <summary>The option checks every validated record shares, so each message reads the same: name, value, what is allowed.</summary>
internal static class OptionChecks
{
    /// <exception cref="ArgumentException"><paramref name="value"/> is not one of <paramref name="allowed"/>.</exception>
    public static void OneOf(string name, string value, IReadOnlyList<string> allowed)
    {
        if (!allowed.Contains(value))
        {
            throw new ArgumentException($"{name} = '{value}' is not known; allowed: {string.Join(", ", allowed)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or outside [<paramref name="lo"/>, <paramref name="hi"/>].</exception>
    public static void Range(string name, double value, double lo, double hi)
    {
        if (double.IsNaN(value) || value < lo || value > hi)
        {
            throw new ArgumentException($"{name} = {value} is out of range; allowed: {lo} to {hi}", name);
        }
    }
}
