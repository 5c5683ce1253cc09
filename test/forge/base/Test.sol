// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Vm, vm} from "./Vm.sol";

/// @notice Minimal test base (no forge-std): assertions that revert with a message, bound(), and the target
/// selection views that forge's invariant runner reads from a test contract (targetContracts, targetSelectors,
/// targetSenders, excludeContracts, excludeSenders: the same ABI as forge-std's StdInvariant).
abstract contract Test {
    /// @dev forge reads this to tell a test contract (IS_TEST = true).
    bool public IS_TEST = true;

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetedContracts;
    address[] private _excludedContracts;
    address[] private _targetedSenders;
    address[] private _excludedSenders;
    FuzzSelector[] private _targetedSelectors;

    // ------------------------------------------------------------------ invariant targets

    function targetContract(address a) internal {
        _targetedContracts.push(a);
    }

    function excludeContract(address a) internal {
        _excludedContracts.push(a);
    }

    function targetSender(address a) internal {
        _targetedSenders.push(a);
    }

    function excludeSender(address a) internal {
        _excludedSenders.push(a);
    }

    function targetSelector(FuzzSelector memory s) internal {
        _targetedSelectors.push(s);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    function excludeContracts() public view returns (address[] memory) {
        return _excludedContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetedSenders;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludedSenders;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    // ------------------------------------------------------------------ assertions

    function fail(string memory what) internal pure {
        revert(what);
    }

    function assertTrue(bool c, string memory what) internal pure {
        if (!c) revert(what);
    }

    function assertEq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) revert(string.concat(what, ": ", _u(a), " != ", _u(b)));
    }

    function assertEq(int256 a, int256 b, string memory what) internal pure {
        if (a != b) revert(string.concat(what, ": ", _i(a), " != ", _i(b)));
    }

    function assertEq(address a, address b, string memory what) internal pure {
        if (a != b) revert(what);
    }

    function assertEq(bytes32 a, bytes32 b, string memory what) internal pure {
        if (a != b) revert(what);
    }

    function assertLe(uint256 a, uint256 b, string memory what) internal pure {
        if (a > b) revert(string.concat(what, ": ", _u(a), " > ", _u(b)));
    }

    function assertGe(uint256 a, uint256 b, string memory what) internal pure {
        if (a < b) revert(string.concat(what, ": ", _u(a), " < ", _u(b)));
    }

    function assertLe(int256 a, int256 b, string memory what) internal pure {
        if (a > b) revert(string.concat(what, ": ", _i(a), " > ", _i(b)));
    }

    // ------------------------------------------------------------------ helpers

    /// @dev x mapped into [lo, hi] (lo <= hi), uniform enough for fuzzing and keeping small values small.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo;
        if (size == type(uint256).max) return x;
        return lo + x % (size + 1);
    }

    function _u(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        uint256 j = v;
        uint256 len;
        while (j != 0) {
            len++;
            j /= 10;
        }
        bytes memory b = new bytes(len);
        while (v != 0) {
            b[--len] = bytes1(uint8(48 + v % 10));
            v /= 10;
        }
        return string(b);
    }

    function _i(int256 v) internal pure returns (string memory) {
        if (v >= 0) return _u(uint256(v));
        return string.concat("-", _u(v == type(int256).min ? uint256(type(int256).max) + 1 : uint256(-v)));
    }
}
