"""The generator and its fine-tuning: DISC-MedLLM and Bentsao dialogue formats, LoRA and full SFT with
transformers + peft, local generation and a LangChain chat model (local or OpenAI-compatible).

Entry points: :class:`wenzhen.finetune.generator.LocalGenerator`,
:class:`wenzhen.finetune.chat_model.WenzhenChatModel`, ``wenzhen.finetune.training``. Command line:
``wenzhen finetune train|merge|infer|export``.
"""
