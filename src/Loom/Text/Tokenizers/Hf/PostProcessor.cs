namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// A tokenizer.json "post_processor": what HF's <c>add_special_tokens=True</c> adds around an encoded text (e.g. a BOS
/// id). See <see cref="PostProcessorReader"/>.
/// </summary>
public abstract class PostProcessor
{
    /// <summary>The ids with the processor's special tokens added.</summary>
    public abstract int[] Process(int[] ids);
}

/// <summary>A post-processor that adds fixed ids before and after the text ("TemplateProcessing" for a single sequence,
/// "BertProcessing", "RobertaProcessing").</summary>
public sealed class AffixPostProcessor(int[] before, int[] after) : PostProcessor
{
    /// <inheritdoc />
    public override int[] Process(int[] ids) => [.. before, .. ids, .. after];
}

/// <summary>A post-processor that leaves the ids as they are ("ByteLevel", whose trimming only moves offsets).</summary>
public sealed class IdentityPostProcessor : PostProcessor
{
    /// <inheritdoc />
    public override int[] Process(int[] ids) => ids;
}

/// <summary>"Sequence": the post-processors one after another.</summary>
public sealed class SequencePostProcessor(IReadOnlyList<PostProcessor> processors) : PostProcessor
{
    /// <inheritdoc />
    public override int[] Process(int[] ids)
    {
        foreach (var processor in processors)
            ids = processor.Process(ids);
        return ids;
    }
}
