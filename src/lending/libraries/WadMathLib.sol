// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @dev 1 in 18-decimal fixed point.
uint256 constant WAD = 1e18;

/// @title WadMathLib
/// @notice Fixed-point helpers of the lending market; each says how it rounds. Overflow reverts (checked math).
library WadMathLib {
    /// @notice `x * y / WAD`, rounded down.
    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return x * y / WAD;
    }

    /// @notice `x * WAD / y`, rounded down.
    function wDivDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return x * WAD / y;
    }

    /// @notice `x * WAD / y`, rounded up.
    function wDivUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, WAD, y);
    }

    /// @notice `x * y / d`, rounded down.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return x * y / d;
    }

    /// @notice `x * y / d`, rounded up.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + d - 1) / d;
    }

    /// @notice `e^(rate * elapsed) - 1` by the first three terms of its Taylor series (t + t^2/2 + t^3/6), WAD, each
    /// term rounded down: slightly below the exact growth, i.e. in the borrowers' favour by at most the 4th term.
    /// @param ratePerSecondWad Rate per second, WAD.
    /// @param elapsedSeconds Seconds of compounding.
    function wTaylorCompounded(uint256 ratePerSecondWad, uint256 elapsedSeconds) internal pure returns (uint256) {
        uint256 t = ratePerSecondWad * elapsedSeconds;
        uint256 t2Half = t * t / (2 * WAD);
        uint256 t3Sixth = t2Half * t / (3 * WAD);
        return t + t2Half + t3Sixth;
    }

    /// @notice `max(x - y, 0)`.
    function zeroFloorSub(uint256 x, uint256 y) internal pure returns (uint256) {
        unchecked {
            return x > y ? x - y : 0;
        }
    }

    /// @notice The smaller of `x` and `y`.
    function min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }
}
