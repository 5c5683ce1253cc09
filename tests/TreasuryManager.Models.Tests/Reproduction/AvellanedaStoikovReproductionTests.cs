using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Models.Tests.Reproduction;

/// <summary>The paper's own experiment against its table (docs/models.md, "The Avellaneda–Stoikov reproduction"): mean profit within 5%,
/// std(profit) and std(q) within 20%, the inventory strategy far less variable at every γ.</summary>
public class AvellanedaStoikovReproductionTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(12345UL)]
    public void Reproduces_the_papers_table(ulong seed)
    {
        var rows = AvellanedaStoikovExperiment.Run(new AvellanedaStoikovSettings(), AvellanedaStoikovExperiment.PaperGammas, seed);
        Assert.Equal(6, rows.Count);
        foreach (var row in rows)
        {
            var paper = AvellanedaStoikovPaper.Lookup(row.Gamma, row.Strategy);
            var label = $"γ={row.Gamma} {row.Strategy} seed {seed}";
            Assert.True(Math.Abs(row.Spread - paper.Spread) < 0.005, $"{label}: spread {row.Spread} vs {paper.Spread}");
            Assert.True(Math.Abs(row.ProfitMean - paper.ProfitMean) <= 0.05 * paper.ProfitMean, $"{label}: profit {row.ProfitMean} vs {paper.ProfitMean}");
            Assert.True(Math.Abs(row.ProfitStd - paper.ProfitStd) <= 0.20 * paper.ProfitStd, $"{label}: std(profit) {row.ProfitStd} vs {paper.ProfitStd}");
            Assert.True(Math.Abs(row.QStd - paper.QStd) <= 0.20 * paper.QStd, $"{label}: std(q) {row.QStd} vs {paper.QStd}");
        }

        foreach (var gamma in AvellanedaStoikovExperiment.PaperGammas)
        {
            var inventory = rows.Single(r => r.Gamma == gamma && r.Strategy == "inventory");
            var symmetric = rows.Single(r => r.Gamma == gamma && r.Strategy == "symmetric");
            Assert.True(inventory.ProfitStd < symmetric.ProfitStd, $"γ={gamma}: std(profit) not lower");
            Assert.True(inventory.QStd < symmetric.QStd, $"γ={gamma}: std(q) not lower");
        }
    }

    [Fact]
    public void Is_reproducible_and_identical_serial_or_parallel()
    {
        var settings = new AvellanedaStoikovSettings(Paths: 300);
        var a = AvellanedaStoikovExperiment.Run(settings, [0.1], 5, parallel: true);
        var b = AvellanedaStoikovExperiment.Run(settings, [0.1], 5, parallel: false);
        var c = AvellanedaStoikovExperiment.Run(settings, [0.1], 6, parallel: true);
        Assert.Equal(a, b);
        Assert.NotEqual(a[0].ProfitMean, c[0].ProfitMean);
    }
}
