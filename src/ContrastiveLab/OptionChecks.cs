using ContrastiveLab.Core;

namespace ContrastiveLab;

/// <summary>The option checks every validated record shares, so each message reads the same: name, value, what is allowed.</summary>
internal static class OptionChecks
{
    /// <exception cref="ArgumentException"><paramref name="value"/> is not one of <paramref name="allowed"/>.</exception>
    public static void OneOf(string name, string? value, IReadOnlyList<string> allowed)
    {
        if (value is null || !allowed.Contains(value))
        {
            string? guess = value is null ? null : Spelling.Suggest(value, allowed);
            throw new ArgumentException($"{name} = '{value}' is not known{(guess is null ? "" : $" (did you mean '{guess}'?)")}; allowed: {string.Join(", ", allowed)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or outside [<paramref name="lo"/>, <paramref name="hi"/>].</exception>
    public static void Range(string name, double value, double lo, double hi)
    {
        if (double.IsNaN(value) || value < lo || value > hi)
        {
            throw new ArgumentException($"{name} = {value.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: {lo.ToString(CultureInfo.InvariantCulture)} to {hi.ToString(CultureInfo.InvariantCulture)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is outside [<paramref name="lo"/>, <paramref name="hi"/>].</exception>
    public static void Range(string name, long value, long lo, long hi)
    {
        if (value < lo || value > hi)
        {
            throw new ArgumentException($"{name} = {value.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: {lo.ToString(CultureInfo.InvariantCulture)} to {hi.ToString(CultureInfo.InvariantCulture)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is empty or holds a control character (a path, when given, must be a usable one).</exception>
    public static void PathText(string name, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (value.Trim().Length == 0 || value.Any(char.IsControl))
        {
            string shown = string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
            throw new ArgumentException($"{name} = '{shown}' is not a usable path; allowed: a non-empty path without control characters, or leave {name} out", name);
        }
    }
}
