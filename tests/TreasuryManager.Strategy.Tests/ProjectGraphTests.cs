using System.Xml.Linq;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// The architecture as a test: the projects' references (read from the .csproj files, transitively) point one way, and
/// no file of the repository names a path outside it.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TreasuryManager.sln"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside the repository: TreasuryManager.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A project's direct references, by project name.</summary>
    private static IReadOnlyList<string> DirectReferences(string project)
    {
        var path = Directory.GetFiles(Root, project + ".csproj", SearchOption.AllDirectories).Single(p => !p.Contains("/obj/", StringComparison.Ordinal));
        return XDocument.Load(path).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToArray();
    }

    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(DirectReferences(project));
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next))
                foreach (var r in DirectReferences(next)) stack.Push(r);
        }
        return seen;
    }

    [Theory]
    [InlineData("TreasuryManager.Models", new string[0])]
    [InlineData("TreasuryManager.Strategy", new[] { "TreasuryManager.Models" })]
    [InlineData("TreasuryManager.Contracts.Nethereum", new string[0])] // Nethereum packages only: none of our Ethereum layer
    public void A_pure_project_references_only_what_it_may(string project, string[] allowed)
    {
        var extra = Closure(project).Except(allowed).ToArray();
        Assert.True(extra.Length == 0, $"{project} must reference only [{string.Join(", ", allowed)}] but reaches {string.Join(", ", extra)}");
    }

    /// <remarks>The last rows: the runtime libraries carry no development tooling (the local-node launcher, the binding
    /// generator, the gas measurement, the test contracts' bindings live in tools/ and tests/).</remarks>
    [Theory]
    [InlineData("TreasuryManager.Simulation", "TreasuryManager.Keeper")]
    [InlineData("TreasuryManager.Simulation", "TreasuryManager.Ethereum")]
    [InlineData("TreasuryManager.Simulation", "TreasuryManager.Contracts")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.Simulation")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.Simulation.OnChain")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.Cli")]
    [InlineData("TreasuryManager.Ethereum", "TreasuryManager.Models")]
    [InlineData("TreasuryManager.Ethereum", "TreasuryManager.Keeper")]
    [InlineData("TreasuryManager.Contracts", "TreasuryManager.Keeper")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.DevNode")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.TestContracts")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.BindGen")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.GasReport")]
    [InlineData("TreasuryManager.Contracts", "TreasuryManager.DevNode")]
    [InlineData("TreasuryManager.Contracts", "TreasuryManager.TestContracts")]
    [InlineData("TreasuryManager.Ethereum", "TreasuryManager.DevNode")]
    [InlineData("TreasuryManager.Keeper", "TreasuryManager.Contracts.Nethereum")] // the keeper signs and sends with its own layer
    [InlineData("TreasuryManager.Cli", "TreasuryManager.Contracts.Nethereum")]
    [InlineData("TreasuryManager.Contracts", "TreasuryManager.Contracts.Nethereum")]
    public void A_forbidden_reference_is_absent(string project, string forbidden) =>
        Assert.False(Closure(project).Contains(forbidden), $"{project} must not reference {forbidden} (directly or through another project)");

    /// <summary>The Nethereum package depends on Nethereum.Web3 and Nethereum.Contracts and nothing else (no project, no other package).</summary>
    [Fact]
    public void The_Nethereum_bindings_depend_on_Nethereum_only()
    {
        var path = Directory.GetFiles(Root, "TreasuryManager.Contracts.Nethereum.csproj", SearchOption.AllDirectories).Single(p => !p.Contains("/obj/", StringComparison.Ordinal));
        var packages = XDocument.Load(path).Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Nethereum.Contracts", "Nethereum.Web3"], packages);
        Assert.Empty(DirectReferences("TreasuryManager.Contracts.Nethereum"));
    }

    [Fact]
    public void The_in_memory_backtest_sits_apart_from_the_on_chain_one()
    {
        Assert.Contains("TreasuryManager.Strategy", DirectReferences("TreasuryManager.Simulation"));
        Assert.Contains("TreasuryManager.Keeper", Closure("TreasuryManager.Simulation.OnChain"));
    }

    /// <summary>The repository stands on its own: no tracked source, doc or script names a file outside it.</summary>
    [Fact]
    public void No_file_names_a_path_outside_the_repository()
    {
        // the reference folder beside the repository and the files it held (spelled in parts, so this file is not an offender itself)
        const string outside = "../" + "shared/";
        string[] forbidden = ["MODELS" + ".md", "DESIGN" + ".md", outside + "DESIGN", outside + "MODELS", outside + "seed", outside + "vectors"];
        string[] extensions = [".cs", ".sol", ".md", ".sh", ".js", ".json", ".csproj", ".props", ".toml"];
        string[] skipped = ["/node_modules/", "/obj/", "/bin/", "/.git/", "/artifacts/", "/cache/", "/out/", "/forge-cache/", "/forge-out/", "/TestResults/"];
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            var relative = file[Root.Length..].Replace('\\', '/');
            if (skipped.Any(s => relative.Contains(s, StringComparison.Ordinal)) || !extensions.Contains(Path.GetExtension(file))) continue;
            if (relative.EndsWith("package-lock.json", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(file);
            foreach (var f in forbidden)
                if (text.Contains(f, StringComparison.Ordinal)) offenders.Add($"{relative} names {f}");
        }
        Assert.True(offenders.Count == 0, "files naming paths outside the repository (write what they need into docs/): " + string.Join("; ", offenders));
    }
}
