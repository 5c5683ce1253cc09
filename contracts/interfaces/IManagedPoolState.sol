// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IManagedPoolState
/// @notice Read-only state of ManagedPool.
interface IManagedPoolState {
    /// @notice Everything a keeper needs in one call.
    struct PoolState {
        uint160 sqrtPriceX96;
        uint160 sqrtPriceLowX96;
        uint160 sqrtPriceHighX96;
        uint128 liquidity;
        uint24 feePips;
        uint256 reserve0;
        uint256 reserve1;
        uint16 observationIndex;
        uint16 observationCardinality;
        uint16 observationCardinalityNext;
        bool paused;
        uint32 lastRepositionTime;
    }

    /// @notice Base token (token0).
    function token0() external view returns (address);
    /// @notice Quote token (token1); prices are token1 base units per token0 base unit.
    function token1() external view returns (address);
    /// @notice The only account allowed to reposition, sync, withdraw and pause.
    function vault() external view returns (address);

    /// @notice Packed hot state (observationCardinalityNext is stored apart but returned here).
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            uint24 feePips,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            bool paused,
            uint32 lastRepositionTime
        );

    /// @notice Liquidity of the single position: constant across swaps; set by reposition (the fitted L) and by
    /// sync / withdraw (LiquidityFit.refit(sqrtPrice, sqrtPriceLow, sqrtPriceHigh, reserve0, reserve1)). Never more
    /// than that refit: the reserves always cover it (swap fees accumulate in the reserves as a surplus).
    function liquidity() external view returns (uint128);
    /// @notice Lower bound of the range, Q64.96 sqrt price (a SqrtPriceGrid value: stored packed beside L).
    function sqrtPriceLowX96() external view returns (uint128);
    /// @notice Upper bound of the range, Q64.96 sqrt price (a SqrtPriceGrid value: stored packed beside L).
    function sqrtPriceHighX96() external view returns (uint128);
    /// @notice Reserves (equal to the token balances unless someone transferred tokens in directly; see sync).
    function getReserves() external view returns (uint256 reserve0, uint256 reserve1);
    /// @notice All state in one struct.
    function getState() external view returns (PoolState memory);

    /// @notice A raw observation.
    function observations(uint256 index)
        external
        view
        returns (
            uint32 blockTimestamp,
            uint24 secondsSincePrevious,
            int40 logPrice,
            int72 logPriceCumulative,
            uint80 squaredReturnCumulative,
            bool initialized
        );

    /// @notice Cumulatives `secondsAgos[i]` seconds ago (see ObservationLib for the exact rules and units).
    /// @return logPriceCumulatives Time-integral of the log price (2^-24 log2 units x seconds).
    /// @return squaredReturnCumulatives Sum of squared log-price returns between observations (units^2).
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int256[] memory logPriceCumulatives, uint256[] memory squaredReturnCumulatives);

    /// @notice Time-weighted mean log price over the last `window` seconds and the squared-return sum over it.
    /// @return meanLogPrice (logCum(now) - logCum(now - window)) / window, truncated toward zero.
    /// @return squaredReturnSum sqCum(now) - sqCum(now - window).
    function consult(uint32 window) external view returns (int256 meanLogPrice, uint256 squaredReturnSum);

    /// @notice consult with `observationHint` = index of the oldest observation at or after now - window (saves
    /// gas; a wrong hint only costs the binary search, never changes the result).
    function consultWithHint(uint32 window, uint16 observationHint)
        external
        view
        returns (int256 meanLogPrice, uint256 squaredReturnSum);

    /// @notice Block timestamp of the last reposition (0 before the first).
    function lastRepositionTime() external view returns (uint32);

    /// @notice The current log price (LogMath units).
    function currentLogPrice() external view returns (int256);

    /// @notice Result of swapExactIn with the same arguments now (ignores deadline, pause and minAmountOut).
    /// @return amountInUsed Input that would be pulled (fee included); below amountIn when the range edge is reached.
    /// @return amountOut Output that would be sent.
    /// @return feeAmount Fee part of amountInUsed.
    /// @return sqrtPriceAfterX96 Price after the swap.
    function quoteExactIn(bool zeroForOne, uint256 amountIn)
        external
        view
        returns (uint256 amountInUsed, uint256 amountOut, uint256 feeAmount, uint160 sqrtPriceAfterX96);

    /// @notice Liquidity and range a reposition to (`sqrtPriceX96`, `sqrtPriceBoundX96`) would produce now.
    function previewReposition(uint160 sqrtPriceX96, uint160 sqrtPriceBoundX96)
        external
        view
        returns (uint128 liquidity, uint160 sqrtPriceLowX96, uint160 sqrtPriceHighX96);
}
