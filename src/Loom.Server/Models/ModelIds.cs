using Loom.Server.Protocol;

namespace Loom.Server.Models;

/// <summary>
/// A model id is the plain name of a folder directly inside the store: letters, digits, '-', '_' and '.', not starting
/// with '.'. Anything else (<c>..</c>, separators, absolute paths, hidden folders) names no model, so no request can
/// reach a file outside the store.
/// </summary>
public static class ModelIds
{
    private const int MaxLength = 200;

    /// <summary>True when <paramref name="id"/> has the form of a model id.</summary>
    public static bool IsValid(string id) =>
        id.Length is > 0 and <= MaxLength && id[0] != '.'
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The folder of <paramref name="id"/> inside <paramref name="root"/> (a full path); 404 when the id cannot
    /// name one.</summary>
    public static string FolderOf(string root, string id)
    {
        if (!IsValid(id))
            throw ApiError.ModelNotFound(id, ": model ids are plain folder names in the model store");
        var folder = Path.GetFullPath(Path.Combine(root, id));
        if (!string.Equals(Path.GetDirectoryName(folder), Path.TrimEndingDirectorySeparator(root), StringComparison.Ordinal))
            throw ApiError.ModelNotFound(id, ": model ids are plain folder names in the model store");
        return folder;
    }
}
