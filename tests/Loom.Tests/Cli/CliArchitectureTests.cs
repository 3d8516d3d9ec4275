using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Loom.Models;
using Loom.Training;
using TorchSharp;

namespace Loom.Tests.Cli;

/// <summary>
/// The CLI is a shell over the library: it reaches families through the registry (<see cref="ModelRegistry"/>),
/// capabilities (<see cref="IGenerativeModel.GetService"/>) and options records, never by naming a model, a family, a
/// network or a training run. Checked on the compiled assembly: every type Loom.Cli.dll references.
/// </summary>
public sealed class CliArchitectureTests
{
    [Fact]
    public void The_cli_names_no_model_family_network_trainer_or_training_run()
    {
        var offending = FamilyTypesReferencedBy(typeof(Loom.Cli.LoomCli).Assembly.Location);
        Assert.True(offending.Count == 0, "Loom.Cli references family types:\n" + string.Join("\n", offending));
    }

    /// <summary>Full names of the family internals (<see cref="IsFamilyInternal"/>) an assembly references, sorted.</summary>
    internal static List<string> FamilyTypesReferencedBy(string assemblyPath)
    {
        var library = typeof(IGenerativeModel).Assembly;
        return ReferencedTypes(assemblyPath)
            .Select(name => library.GetType(name))
            .OfType<Type>()
            .Where(IsFamilyInternal)
            .Select(t => t.FullName!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void The_scan_sees_what_it_must_refuse()
    {
        // The rule itself: a model, a family, a network, the trainer and a training run are family internals; the
        // contracts, options records and the registry are not.
        Assert.True(IsFamilyInternal(typeof(Loom.Models.Diffusion.DiffusionModel)));
        Assert.True(IsFamilyInternal(typeof(Loom.Models.Diffusion.DiffusionFamily)));
        Assert.True(IsFamilyInternal(typeof(Loom.Models.Diffusion.DiffusionTrainingRun)));
        Assert.True(IsFamilyInternal(typeof(Loom.Models.Diffusion.Networks.UNet)));
        Assert.True(IsFamilyInternal(typeof(Trainer)));
        Assert.False(IsFamilyInternal(typeof(Loom.Models.Diffusion.DiffusionRecipe)));
        Assert.False(IsFamilyInternal(typeof(Loom.Models.Diffusion.IDiffusionGenerator)));
        Assert.False(IsFamilyInternal(typeof(ModelRegistry)));
        Assert.False(IsFamilyInternal(typeof(SampleRequest)));
        Assert.Contains(typeof(ModelRegistry).FullName!, ReferencedTypes(typeof(Loom.Cli.LoomCli).Assembly.Location));
    }

    /// <summary>
    /// The CLI touches no TorchSharp member: not an operator, a factory, indexing, a shape, nor a dispose scope. The
    /// library calls it makes take and write files or managed values and own their scopes, so the CLI holds no tensor.
    /// </summary>
    [Fact]
    public void The_cli_does_no_tensor_work_of_its_own()
    {
        var used = ReferencedMembers(typeof(Loom.Cli.LoomCli).Assembly.Location)
            .Where(m => m.StartsWith("TorchSharp.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        // The scan sees tensor work where there is some: the library's own calls.
        Assert.Contains("TorchSharp.torch+Tensor.flatten", ReferencedMembers(typeof(IGenerativeModel).Assembly.Location));
        Assert.True(used.Count == 0, "Loom.Cli calls TorchSharp members (move the tensor work into the library):\n"
            + string.Join("\n", used));
    }

    /// <summary>Type.Member names of the methods and fields an assembly references from other assemblies.</summary>
    internal static HashSet<string> ReferencedMembers(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            var parent = member.Parent;
            if (parent.Kind == HandleKind.TypeSpecification) continue;   // members of generic instantiations
            if (parent.Kind != HandleKind.TypeReference) continue;
            names.Add(FullName(reader, reader.GetTypeReference((TypeReferenceHandle)parent)) + "." + reader.GetString(member.Name));
        }
        return names;
    }

    private static bool IsFamilyInternal(Type type) =>
        !type.IsInterface && (
            typeof(IGenerativeModel).IsAssignableFrom(type)
            || typeof(IModelFamily).IsAssignableFrom(type)
            || typeof(torch.nn.Module).IsAssignableFrom(type)
            || type == typeof(Trainer)
            || type.Name.EndsWith("TrainingRun", StringComparison.Ordinal));

    /// <summary>Full names of the types an assembly references from other assemblies (nested types as Outer+Inner).</summary>
    private static HashSet<string> ReferencedTypes(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
            names.Add(FullName(reader, reader.GetTypeReference(handle)));
        return names;
    }

    private static string FullName(MetadataReader reader, TypeReference type)
    {
        var name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
            return FullName(reader, reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + name;
        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
