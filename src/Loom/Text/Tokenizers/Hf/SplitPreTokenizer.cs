namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Split": cuts at the matches of a String or Regex pattern with a <see cref="SplitBehavior"/>, optionally inverted.</summary>
public sealed class SplitPreTokenizer(CodePointRegex pattern, SplitBehavior behavior, bool invert) : PreTokenizer
{
    /// <inheritdoc />
    public override void Split(string piece, bool atTextStart, List<string> output) =>
        SplitBehaviors.Apply(piece, pattern.Matches(piece), behavior, invert, output);
}
