namespace ContrastiveLab.Runtime;

/// <summary>libtorch could not be loaded; the message names the cause and the fix in one line.</summary>
public sealed class TorchLoadException(string message, Exception? inner = null) : Exception(message, inner);
