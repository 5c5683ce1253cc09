using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.Deployment;

/// <summary>
/// Uniswap v3 on a node: the factory deployed from the <c>@uniswap/v3-core</c> npm package's own compiled artifact
/// (node_modules/@uniswap/v3-core/artifacts), and pools created through it at a fee tier, initialised at a sqrt price,
/// with their observation ring grown. The pool is Uniswap's own bytecode (the factory deploys it), driven through the
/// local 0.8 interfaces of contracts/interfaces/uniswap/IUniswapV3.sol.
/// </summary>
public sealed class UniswapV3Deployment
{
    private UniswapV3Deployment(EthClient eth, IUniswapV3FactoryMinimal factory)
    {
        Eth = eth;
        Factory = factory;
    }

    /// <summary>The node the factory lives on.</summary>
    public EthClient Eth { get; }

    /// <summary>Uniswap's UniswapV3Factory (fee tiers 500, 3000, 10000 enabled at construction, tick spacings 10, 60, 200).</summary>
    public IUniswapV3FactoryMinimal Factory { get; }

    /// <summary>The UniswapV3Factory artifact inside a repository's node_modules.</summary>
    public static string FactoryArtifactPath(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "node_modules", "@uniswap", "v3-core", "artifacts", "contracts", "UniswapV3Factory.sol", "UniswapV3Factory.json");

    /// <summary>Deploys UniswapV3Factory from the npm artifact, sent by <paramref name="deployer"/> (who becomes its owner).</summary>
    /// <exception cref="FileNotFoundException">The artifact is missing: install the npm packages (npm ci) in <paramref name="repositoryRoot"/>.</exception>
    public static async Task<UniswapV3Deployment> DeployFactoryAsync(AccountSender deployer, string repositoryRoot, CancellationToken ct = default)
    {
        var path = FactoryArtifactPath(repositoryRoot);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The Uniswap v3 factory artifact {path} is missing: run `npm ci` in {repositoryRoot} to install @uniswap/v3-core.", path);
        var (contract, _) = await Contract.DeployAsync(deployer, HardhatArtifact.Load(path), [], ct: ct).ConfigureAwait(false);
        return new UniswapV3Deployment(deployer.Eth, new IUniswapV3FactoryMinimal(deployer.Eth, contract.Address));
    }

    /// <summary>
    /// Creates the (tokenA, tokenB, <paramref name="feePips"/>) pool (token0 is the lower address), initialises it at
    /// <paramref name="sqrtPriceX96"/> (Q64.96 of token1 per token0, raw units) and, when
    /// <paramref name="observationCardinalityNext"/> &gt; 1, grows its observation ring to that size (Uniswap's default is 1,
    /// which makes <c>observe</c> over any window revert with "OLD").
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fee is not one of the factory's tiers, or the cardinality is outside 1–65535.</exception>
    public async Task<IUniswapV3PoolMinimal> CreatePoolAsync(AccountSender sender, Address tokenA, Address tokenB, int feePips, BigInteger sqrtPriceX96, int observationCardinalityNext = 1, CancellationToken ct = default)
    {
        if (observationCardinalityNext is < 1 or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(observationCardinalityNext), observationCardinalityNext, "The observation cardinality must be 1–65535.");
        if (await Factory.FeeAmountTickSpacingAsync(feePips, ct: ct).ConfigureAwait(false) == 0)
            throw new ArgumentOutOfRangeException(nameof(feePips), feePips, "The fee is not an enabled Uniswap v3 fee tier: use 500, 3000 or 10000 (pips).");
        await Factory.CreatePoolAsync(sender, tokenA, tokenB, feePips, ct).ConfigureAwait(false);
        var pool = new IUniswapV3PoolMinimal(Eth, await Factory.GetPoolAsync(tokenA, tokenB, feePips, ct: ct).ConfigureAwait(false));
        await pool.InitializeAsync(sender, sqrtPriceX96, ct).ConfigureAwait(false);
        if (observationCardinalityNext > 1)
            await pool.IncreaseObservationCardinalityNextAsync(sender, observationCardinalityNext, ct).ConfigureAwait(false);
        return pool;
    }
}
