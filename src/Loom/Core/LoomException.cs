namespace Loom.Core;

/// <summary>
/// A failure a user can act on: the message is one line that names the file or option and what is wrong.
/// An error about an option carries the option's library name (<see cref="Option"/>: a property of an options record
/// or recipe, such as <c>LearningRate</c>) and the <see cref="Problem"/> apart, so a shell can show the name its user
/// typed instead (the CLI shows <c>--lr</c>). Option names the problem mentions are written as library names too.
/// </summary>
public class LoomException : Exception
{
    public LoomException(string message, Exception? inner = null) : base(message, inner) { }

    protected LoomException(string option, string problem, Exception? inner)
        : base($"{option}: {problem}", inner)
    {
        Option = option;
        Problem = problem;
    }

    /// <summary>The library name of the option the error is about, or null when it is not about one option.</summary>
    public string? Option { get; }

    /// <summary>What is wrong with <see cref="Option"/> (the message without the name), or null.</summary>
    public string? Problem { get; }

}

/// <summary>Bad usage: an unknown option value, a missing argument, an option combination that makes no sense.</summary>
public sealed class LoomUsageException : LoomException
{
    public LoomUsageException(string message, Exception? inner = null) : base(message, inner) { }

    private LoomUsageException(string option, string problem, Exception? inner) : base(option, problem, inner) { }

    /// <summary>An option set to a value that cannot be used: "<paramref name="option"/>: <paramref name="problem"/>".</summary>
    public static LoomUsageException ForOption(string option, string problem, Exception? inner = null) => new(option, problem, inner);
}

/// <summary>Input data that cannot be used: missing, empty, not UTF-8, NaN, wrong shape.</summary>
public sealed class LoomDataException : LoomException
{
    public LoomDataException(string message, Exception? inner = null) : base(message, inner) { }

    private LoomDataException(string option, string problem, Exception? inner) : base(option, problem, inner) { }

    /// <summary>The data an option names cannot be used: "<paramref name="option"/>: <paramref name="problem"/>".</summary>
    public static LoomDataException ForOption(string option, string problem, Exception? inner = null) => new(option, problem, inner);
}
