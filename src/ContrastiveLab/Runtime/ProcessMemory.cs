namespace ContrastiveLab.Runtime;

/// <summary>
/// Resident memory of this process from <c>/proc/self/status</c> (Linux). VmHWM is the peak for the whole process;
/// <see cref="ResetPeak"/> sets it back to the current resident size (writing 5 to <c>/proc/self/clear_refs</c>),
/// so a peak read afterwards belongs to what ran in between, on top of what was already resident.
/// </summary>
public static class ProcessMemory
{
    /// <summary>VmRSS in MB (10⁶ bytes), or NaN where /proc is not available.</summary>
    public static double ResidentMb() => Field("VmRSS:");

    /// <summary>VmHWM (peak resident) in MB, or NaN where /proc is not available.</summary>
    public static double PeakResidentMb() => Field("VmHWM:");

    /// <summary>Resets VmHWM to the current resident size; false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static double Field(string name)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return double.NaN;
        }
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                string kb = line[name.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024 / 1e6;
            }
        }
        return double.NaN;
    }
}
