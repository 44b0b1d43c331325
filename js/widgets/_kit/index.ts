/**
 * mlnb's widget kit: what every anywidget view is built from. See js/widgets/findings/ for the
 * worked example, and the "Front end" section of the design doc for the rules.
 */
export type { AnyModel } from '@anywidget/types';
export { bind, cleanupAll } from './bind';
export type { Cleanup } from './bind';
export { decodeArray, encodeArray, isWireArray } from './codecs';
export type { DType, NdArray, TypedArray, WireArray } from './codecs';
export { request, RequestError } from './request';
export type { Answer } from './request';
export { mountStatus, progressText } from './status';
export type { Progress, StatusState } from './status';
export { h, s, safeUrl } from '../../common/dom';
export type { Attrs, Child } from '../../common/dom';
