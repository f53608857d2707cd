namespace ContrastiveLab.Cli;

/// <summary>A mistake in what the user gave us: printed as one line, exit code 2, no stack trace.</summary>
public sealed class UserError(string message) : Exception(message);
