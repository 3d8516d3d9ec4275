namespace Loom.Core;

/// <summary>
/// A failure a user can act on: the message is one line that names the file or option and what is wrong.
/// The CLI prints only the message (the stack trace with --verbose) and exits with <see cref="ExitCode"/>.
/// </summary>
public class LoomException : Exception
{
    public LoomException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>1 for a failure, 2 for bad usage.</summary>
    public virtual int ExitCode => 1;
}

/// <summary>Bad usage: an unknown option value, a missing argument, an option combination that makes no sense. Exit code 2.</summary>
public sealed class LoomUsageException : LoomException
{
    public LoomUsageException(string message, Exception? inner = null) : base(message, inner) { }

    public override int ExitCode => 2;
}

/// <summary>Input data that cannot be used: missing, empty, not UTF-8, NaN, wrong shape. Exit code 1.</summary>
public sealed class LoomDataException : LoomException
{
    public LoomDataException(string message, Exception? inner = null) : base(message, inner) { }
}
