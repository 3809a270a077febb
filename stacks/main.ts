/** `npm run synth` and cdktf.json's app: writes cdktf.out/stacks/<env>/cdk.tf.json for every environment. */
import { buildApp } from "./app";

buildApp().app.synth();
