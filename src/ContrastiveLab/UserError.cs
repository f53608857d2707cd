namespace ContrastiveLab;

/// <summary>
/// A mistake in what the user gave us (an option, a folder, a file): the CLI prints its message as one line and exits
/// with code 2, no stack trace. Anything else that escapes a command is an internal error (exit 1, with the trace).
/// </summary>
public sealed class UserError(string message) : Exception(message);
