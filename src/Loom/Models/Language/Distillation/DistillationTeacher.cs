using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Text.Tokenizers;
using static TorchSharp.torch;

namespace Loom.Models.Language.Distillation;

/// <summary>
/// Loads the teacher a distillation run learns from: a neural language-model checkpoint whose tokenizer is the
/// student's (the two trade logits over the same ids) and whose context covers the student's training windows. Its
/// weights are frozen and it runs in eval mode.
/// </summary>
public static class DistillationTeacher
{
    public static NeuralLanguageModel Load(string folder, ITokenizer studentTokenizer, int context, Device device)
    {
        if (!Directory.Exists(folder))
            throw LoomUsageException.ForOption("Teacher", $"{folder} is not a checkpoint folder");
        var model = Checkpoint.Load(folder, device);
        try
        {
            if (model is not NeuralLanguageModel teacher)
                throw LoomUsageException.ForOption("Teacher", $"{folder} holds a '{model.Kind}' model; a teacher must be a neural "
                    + "language model (gpt, llama, lstm, gru)");
            if (!TokenizerIdentity.Same(teacher.Tokenizer, studentTokenizer))
                throw LoomUsageException.ForOption("Teacher", $"its tokenizer ({TokenizerIdentity.Describe(teacher.Tokenizer)}) differs "
                    + $"from the student's ({TokenizerIdentity.Describe(studentTokenizer)}); distillation needs the same tokenizer");
            if (teacher.Causal.MaxSequenceLength < context)
                throw LoomUsageException.ForOption("Teacher", $"its context ({teacher.Causal.MaxSequenceLength} tokens) is shorter than "
                    + $"the student's training windows ({context}); lower Context");
            teacher.Network.eval();
            foreach (var p in teacher.Network.parameters()) p.requires_grad = false;
            return teacher;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
